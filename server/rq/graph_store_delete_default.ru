# DELETE of the store's own default graph: emptied.
DROP DEFAULT
