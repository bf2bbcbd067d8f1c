# Writes, per month (of these, or every month), its readings as lines "start order published
# controller article claim card" separated by tabs (published "-" when unknown; card: the
# claim's card, kg.derived.cards, "" when it has none), one literal per month, the lines in
# order, so every refresh writes the same text; the question reads a reading and its card at
# once, as one write left them.
# The readings of a place that a day can be compared with are the xsd:date days only (anything
# else errs in who_controlled.rq's FILTER and never counts): as in control_sides.ru.
INSERT { GRAPH $derived { ?month ckg:monthReadings ?lines } }
WHERE {
  {
    SELECT ?month (GROUP_CONCAT(?line; separator="\n") AS ?lines) WHERE {
      {
        SELECT ?month ?line WHERE {
          VALUES $month { }
          VALUES $place { }
          GRAPH $derived {
            ?place ckg:controlMonth ?month .
            ?month ckg:controlReading ?r .
            ?r ckg:readingClaim ?claim ; ckg:readingController ?controller ;
               ckg:readingStart ?start ; ckg:readingOrder ?order ; ckg:readingArticle ?article .
            OPTIONAL { ?r ckg:readingPublished ?printed }
          }
          FILTER(DATATYPE(?start) = xsd:date)
          OPTIONAL { GRAPH $derived { ?claim ckg:claimCard ?card } }
          BIND(CONCAT(STR(?start), "\t", STR(?order), "\t", COALESCE(STR(?printed), "-"), "\t",
                      STR(?controller), "\t", STR(?article), "\t", STR(?claim), "\t",
                      COALESCE(?card, "")) AS ?line)
        } ORDER BY ?month ?line
      }
    } GROUP BY ?month
  }
}
