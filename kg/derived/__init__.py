"""Derived data: what the store keeps beside the articles' graphs so that questions and listings
stay fast as it grows, each refreshed for the articles a write touched: control readings
(`control`), claim and entity cards (`cards`), contradictions among claims (`contradictions`),
the totals of the aggregates (`totals`) and the listings' pages (`paging`)."""
