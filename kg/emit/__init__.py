"""Emit: an article's claims as RDF (its named graph, `kg.emit.graph`), with its entities linked
to Wikidata offline from shipped data (`kg.emit.link`) or, on request, online
(`kg.emit.wikidata`)."""
