"""One router per GTEx API v2 resource group."""
