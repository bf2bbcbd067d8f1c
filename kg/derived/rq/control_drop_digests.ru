# Takes out the digests of these months and the sides of these places (before they are
# written again).
DELETE { GRAPH $derived { ?month ckg:monthReadings ?lines } }
WHERE { VALUES $month { } GRAPH $derived { ?month ckg:monthReadings ?lines } } ;
DELETE { GRAPH $derived { ?place ckg:controlSides ?sides } }
WHERE { VALUES $place { } GRAPH $derived { ?place ckg:controlSides ?sides } }
