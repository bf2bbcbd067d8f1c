# Takes out the months of these places that no reading is filed under any more.
DELETE { GRAPH $derived { ?place ckg:controlMonth ?month } }
WHERE {
  VALUES $place { }
  GRAPH $derived { ?place ckg:controlMonth ?month }
  FILTER NOT EXISTS { GRAPH $derived { ?month ckg:controlReading ?r } }
}
