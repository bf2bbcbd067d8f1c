# The mark of the newest day page (ckg:newestPage) found again among every page, as
# paging_newest.rq finds it: after articles left the page the mark named.
DELETE WHERE { GRAPH $graph { $graph ckg:newestPage ?old } };
INSERT { GRAPH $graph { $graph ckg:newestPage ?page } }
WHERE { { SELECT ?page WHERE { GRAPH $graph {
  ?page ckg:pagePart ?part .
  OPTIONAL { ?page ckg:pageDay ?day }
  FILTER EXISTS { ?article ckg:onPage ?page }
} } ORDER BY DESC(?day) DESC(?part) LIMIT 1 } }
