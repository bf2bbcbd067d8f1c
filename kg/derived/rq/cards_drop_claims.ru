# Takes the cards of these claims out of the derived graph.
DELETE { GRAPH $derived { ?claim ckg:claimCard ?card } }
WHERE { VALUES $claim { } GRAPH $derived { ?claim ckg:claimCard ?card } }
