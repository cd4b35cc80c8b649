# cmake --install rules (filled in by issue 12).
