# Takes the cards of these entities out of the derived graph.
DELETE { GRAPH $derived { ?entity ckg:entityCard ?card } }
WHERE { VALUES $entity { } GRAPH $derived { ?entity ckg:entityCard ?card } }
