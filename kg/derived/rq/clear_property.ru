# Takes out of a graph every triple of one property (a piece of derived data's own, in a
# graph it shares with others).
DELETE WHERE { GRAPH $graph { ?s $property ?o } }
