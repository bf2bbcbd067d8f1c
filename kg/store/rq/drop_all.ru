# Empties the store: every named graph and the default graph.
DROP SILENT ALL
