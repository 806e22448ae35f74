"""What the contracts' write paths load on first use, loaded before the service reports ready
(after fairpath.common.warmup's common warming)."""

from fastapi import FastAPI

from fairpath.contracts.config import ContractsSettings
from fairpath.contracts.contracts.sealing import seal, unseal
from fairpath.contracts.documents.catalogues import available_languages, catalogue


async def warm_language_catalogues(_: FastAPI) -> None:
    """The contract texts of every language a contract is drafted in (the rules check the worker's language)."""
    for language in available_languages():
        catalogue(language)


async def warm_personal_data_sealing(app: FastAPI) -> None:
    """Seals and unseals a throwaway value: the key derived and the cryptography backend ready."""
    settings: ContractsSettings = app.state.settings
    unseal(settings.personal_data_key, seal(settings.personal_data_key, {"warm_up": True}))


WARMS = (warm_language_catalogues, warm_personal_data_sealing)
