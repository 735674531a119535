"""Files for evaluators and engineers, written from the warehouse's tables."""
