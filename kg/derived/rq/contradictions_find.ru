# Links, both ways, each control claim ?a (of these articles ?articleA, or of any) to every
# claim ?b that names another controller of the same place at the same moment (day and order
# within it) and comes from another article or another claimant.
# The other side of a claim is found among the control readings of its place's month
# (control_readings.ru), where read from the claims it would be among every event of the
# place, all types and days (229 s for a 10k-article generated corpus, 0.8 s over the
# readings). An update's WHERE reads the store's own default graph, not the union queries
# see: hence GRAPH.
INSERT { GRAPH $derived { ?a ckg:contradicts ?b . ?b ckg:contradicts ?a } }
WHERE {
  VALUES $articleA { }
  GRAPH $derived {
    ?ra ckg:readingArticle ?articleA ; ckg:readingClaim ?a ; ckg:readingStart ?day ;
        ckg:readingOrder ?order ; ckg:readingController ?ca .
    ?month ckg:controlReading ?ra , ?rb .
    ?rb ckg:readingStart ?day ; ckg:readingOrder ?order ; ckg:readingController ?cb ;
        ckg:readingClaim ?b ; ckg:readingArticle ?articleB .
  }
  FILTER(?ca != ?cb)
  OPTIONAL { GRAPH ?ga { ?a ckg:claimant ?claimantA } }
  OPTIONAL { GRAPH ?gb { ?b ckg:claimant ?claimantB } }
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
}
