# Empties a named graph (nothing when the store has no such graph).
DROP SILENT GRAPH $graph
