"""Questions over the store: entities by any name (`entities`), claims and their listings
(`claims`), who controlled a place on a day (`who_controlled`), the stored queries
(`stored_queries`), the links of the entities (`links`), and the scores of the answers against
gold sets (`evaluate`, `evaluate_control`)."""
