# Takes out these rows' kind, key and totals (their links to shares stay).
DELETE { GRAPH $totals { ?row ?p ?o } }
WHERE { VALUES $row { } GRAPH $totals { ?row ?p ?o } FILTER(?p != ckg:totalShare) }
