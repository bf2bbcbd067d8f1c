# Takes out the shares of these articles, and their links from their rows.
DELETE { GRAPH $totals { ?row ckg:totalShare ?share . ?share ?p ?o } }
WHERE {
  VALUES $article { }
  GRAPH $totals { ?share ckg:shareArticle ?article ; ?p ?o . ?row ckg:totalShare ?share }
}
