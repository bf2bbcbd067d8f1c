# Writes a reading per control claim with a place, a controller and a day (the rows
# queries/who_controlled.rq gives): claim, controller, day, order in the day, article and
# publication day, filed under the node of its place and calendar month (kg.derived.control's
# month_iri computes the same IRI). A claim over a period ("under Kurdish control since May",
# "took the town in May") has a second reading on its last day: what it says then is as new
# as any point claim of that day. A claim known only to hold by a day (a capture told as
# background, bounded by its report) is read on that day.
# An update's WHERE reads the store's own default graph, not the union queries see: hence
# GRAPH ?g, or GRAPH <one article's graph> (a VALUES block of graphs is joined after the GRAPH
# group has read every control claim of the store: 5 s at 100k).
INSERT { GRAPH $derived {
  ?place ckg:controlMonth ?month .
  ?month ckg:controlReading ?r .
  ?r ckg:readingClaim ?claim ;
     ckg:readingController ?controller ;
     ckg:readingStart ?start ;
     ckg:readingOrder ?order ;
     ckg:readingArticle ?article ;
     ckg:readingPublished ?printed .
} }
WHERE {
  GRAPH $graph {
    ?claim ckg:claimType "control" ; ckg:about ?event ; ckg:inArticle ?article .
    ?event ckg:place ?place ; ckg:controller ?controller .
    OPTIONAL { ?event ckg:start ?first }
    OPTIONAL { ?event ckg:end ?last }
    OPTIONAL { ?event ckg:orderInDay ?inDay }
    OPTIONAL { ?article ckg:published ?printed }
  }
  VALUES ?bound { "start" "end" }
  BIND(IF(?bound = "start", COALESCE(?first, ?last), ?last) AS ?start)
  FILTER(BOUND(?start) && (?bound = "start" || BOUND(?first) && ?last > ?first))
  BIND(COALESCE(?inDay, 0) AS ?order)
  BIND(IRI(CONCAT(STR(?place), "/control/", SUBSTR(STR(?start), 1, 7))) AS ?month)
  BIND(IRI(CONCAT(STR(?claim), "/control/", MD5(CONCAT(STR(?controller), " ", STR(?start),
       " ", STR(?order), " ", STR(?article), " ", COALESCE(STR(?printed), ""))))) AS ?r)
}
