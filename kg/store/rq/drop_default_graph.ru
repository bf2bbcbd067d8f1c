# Empties the store's own default graph.
DROP SILENT DEFAULT
