"""Import every domain's models and trigger DDL: the metadata and the trigger registry complete."""

from governance import (
    auditlog,  # noqa: F401
    jobs,  # noqa: F401
    mail,  # noqa: F401
    mailing,  # noqa: F401
)
from governance.accounts import ddl as accounts_ddl  # noqa: F401
from governance.accounts import models as accounts_models  # noqa: F401
from governance.assemblies import ddl as assemblies_ddl  # noqa: F401
from governance.assemblies import ddl_papers as assemblies_ddl_papers  # noqa: F401
from governance.assemblies import models as assemblies_models  # noqa: F401
from governance.assemblies import models_agenda as assemblies_models_agenda  # noqa: F401
from governance.assemblies import models_mandates as assemblies_models_mandates  # noqa: F401
from governance.assemblies import models_papers as assemblies_models_papers  # noqa: F401
from governance.ballots import ddl as ballots_ddl  # noqa: F401
from governance.ballots import models as ballots_models  # noqa: F401
from governance.ballots import models_scrub as ballots_models_scrub  # noqa: F401
from governance.bodies import ddl as bodies_ddl  # noqa: F401
from governance.bodies import ddl_circulars as bodies_ddl_circulars  # noqa: F401
from governance.bodies import ddl_offers as bodies_ddl_offers  # noqa: F401
from governance.bodies import ddl_rooms as bodies_ddl_rooms  # noqa: F401
from governance.bodies import models as bodies_models  # noqa: F401
from governance.bodies import models_circulars as bodies_models_circulars  # noqa: F401
from governance.bodies import models_offers as bodies_models_offers  # noqa: F401
from governance.bodies import models_rooms as bodies_models_rooms  # noqa: F401
from governance.minutes import ddl as minutes_ddl  # noqa: F401
from governance.minutes import models as minutes_models  # noqa: F401
from governance.notify import models as notify_models  # noqa: F401
from governance.proposals import models as proposals_models  # noqa: F401
from governance.register import ddl as register_ddl  # noqa: F401
from governance.register import models as register_models  # noqa: F401
from governance.tellers import ddl as tellers_ddl  # noqa: F401
from governance.tellers import models as tellers_models  # noqa: F401
