"""Emergency plans (预案), digital plans and drills (演练)."""
