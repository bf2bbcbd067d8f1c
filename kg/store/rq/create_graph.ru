# Creates a named graph, empty (nothing when the store has it already).
CREATE SILENT GRAPH $graph
