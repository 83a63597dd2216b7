"""The JSON face of pairs: propose, answer, end, and read your own pairs."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coop.pairs import service
from coop.pairs.schemas import PairCreate, PairOut, PairStatus
from coop.web import sessions
from coop.web.deps import AppSettings, CurrentMember
from coop.web.errors import error_responses
from coop.web.params import Limit, Offset


class PairsApi(Controller):
    path = "/api/pairs"
    tags = ["pairs"]
    guards = [sessions.requires_member]

    @post(status_code=HTTP_201_CREATED, responses=error_responses(404, 409))
    async def propose(self, data: JSONBody[PairCreate], member: CurrentMember) -> PairStatus:
        """Ask a member (by username) to be partners."""
        return PairStatus(**await service.propose(member, data.partner))

    @get()
    async def mine(
        self,
        member: CurrentMember,
        settings: AppSettings,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[PairOut]:
        """Every pair you are in."""
        pairs = await service.my_pairs(member.id, limit, offset)
        return [PairOut(**await service.view(p, settings, member.id)) for p in pairs]

    @get("/{pair_id:int}")
    async def one(
        self, pair_id: FromPath[int], member: CurrentMember, settings: AppSettings
    ) -> PairOut:
        """One of your pairs (partners only)."""
        pair = await service.my_pair(pair_id, member.id)
        return PairOut(**await service.view(pair, settings, member.id))

    @post("/{pair_id:int}/accept", status_code=HTTP_200_OK, responses=error_responses(409))
    async def accept(self, pair_id: FromPath[int], member: CurrentMember) -> PairStatus:
        return PairStatus(**await service.accept(pair_id, member.id))

    @post("/{pair_id:int}/decline", status_code=HTTP_200_OK, responses=error_responses(409))
    async def decline(self, pair_id: FromPath[int], member: CurrentMember) -> PairStatus:
        return PairStatus(**await service.decline(pair_id, member.id))

    @post("/{pair_id:int}/end", status_code=HTTP_200_OK, responses=error_responses(409))
    async def end(self, pair_id: FromPath[int], member: CurrentMember) -> PairStatus:
        return PairStatus(**await service.end(pair_id, member.id))
