"""packet layer (see DESIGN.md section 1)."""
