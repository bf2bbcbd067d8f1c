# Takes out the readings of these articles, and their filing under their months.
DELETE { GRAPH $derived { ?month ckg:controlReading ?r . ?r ?p ?o } }
WHERE {
  VALUES $article { }
  GRAPH $derived { ?r ckg:readingArticle ?article ; ?p ?o . ?month ckg:controlReading ?r }
}
