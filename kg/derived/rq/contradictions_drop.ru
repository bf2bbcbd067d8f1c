# Takes out every link to or from these claims: both directions, links being symmetric.
DELETE { GRAPH $derived { ?a ckg:contradicts ?b . ?b ckg:contradicts ?a } }
WHERE { VALUES $a { } GRAPH $derived { ?a ckg:contradicts ?b } }
