# Writes, per place (of these, or every place), its sides: lines "controller first-day
# first-published" in the order of the controllers' IRIs, so every refresh writes the same text
# (first-published 9999-12-31 when no report of that side has a date: never "known by" any
# as-of day). A side whose first day is after the asked day (or first report after the as-of
# day) cannot be in the answer; one that can be must have been read before the answer is
# complete. Only xsd:date days count, as in control_digests.ru.
INSERT { GRAPH $derived { ?place ckg:controlSides ?sides } }
WHERE {
  {
    SELECT ?place (GROUP_CONCAT(?side; separator="\n") AS ?sides) WHERE {
      {
        SELECT ?place ?controller (MIN(?start) AS ?first) (MIN(?published) AS ?firstSeen)
        WHERE {
          VALUES $place { }
          GRAPH $derived {
            ?place ckg:controlMonth ?month .
            ?month ckg:controlReading ?r .
            ?r ckg:readingClaim ?claim ; ckg:readingController ?controller ;
               ckg:readingStart ?start ; ckg:readingOrder ?order ; ckg:readingArticle ?article .
            OPTIONAL { ?r ckg:readingPublished ?printed }
          }
          FILTER(DATATYPE(?start) = xsd:date)
          BIND(COALESCE(?printed, "9999-12-31"^^xsd:date) AS ?published)
        } GROUP BY ?place ?controller ORDER BY ?place ?controller
      }
      BIND(CONCAT(STR(?controller), " ", STR(?first), " ", STR(?firstSeen)) AS ?side)
    } GROUP BY ?place
  }
}
