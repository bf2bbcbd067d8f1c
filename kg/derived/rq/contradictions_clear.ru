# Takes every contradiction link out of the derived graph (only the links: the graph holds
# other derived data too).
DELETE WHERE { GRAPH $derived { ?a ckg:contradicts ?b } }
