# Takes out which file these articles were read from (before it is written again).
DELETE { GRAPH $sources { ?article ckg:sourceFile ?file } }
WHERE { VALUES $article { } GRAPH $sources { ?article ckg:sourceFile ?file } }
