"""Reads of the evaluation app, split by noun; the access gates `<noun>_get_for_user` /
`<noun>_list_for_user` live here. Import from the submodules."""
