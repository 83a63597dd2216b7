"""The web layer: HTTP answers, sessions, forms and templates over the garden's rules."""
