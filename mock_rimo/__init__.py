"""A mock Rimo Health webhook sender: realistic events, signing, Rimo-like delivery."""
