"""Commands: ``eval`` (score files), ``list`` and ``info`` (the loss catalogue)."""
