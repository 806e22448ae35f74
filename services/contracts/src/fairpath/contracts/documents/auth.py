"""Who may read a contract's document: whoever may read the contract (the service checks which ones)."""

from fairpath.contracts.contracts.auth import ContractReader

DocumentReader = ContractReader
