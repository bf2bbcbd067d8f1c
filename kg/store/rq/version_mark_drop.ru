# Takes a graph's version mark out (before the data is written again with the new mark).
DELETE WHERE { GRAPH $graph { $graph $mark ?version } }
