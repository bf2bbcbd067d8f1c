# Takes out of the shared graph the description of these events that no claim reports any more
# (an article rebuilt with another date or place reports another event): the shared graph
# keeps no stale day.
DELETE { GRAPH ?shared { ?event ?p ?o } }
WHERE {
  VALUES $event { }
  VALUES $shared { }
  GRAPH ?shared { ?event ?p ?o }
  FILTER NOT EXISTS { GRAPH ?g { ?claim ckg:occurrence ?event } }
}
