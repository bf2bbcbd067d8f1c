# DELETE of a named graph: the graph dropped (it exists: an error otherwise).
DROP GRAPH $graph
