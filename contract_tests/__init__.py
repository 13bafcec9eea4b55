"""The Rimo webhook contract suite: point it at any receiver URL, or let it boot ours."""
