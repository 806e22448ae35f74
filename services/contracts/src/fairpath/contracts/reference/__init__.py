"""The operator's reference tables the contract rules read: minimum wages, working-time limits, exchange rates."""
