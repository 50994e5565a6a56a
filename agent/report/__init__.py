"""The override and false-positive report IT reads to revise its policy packs."""
