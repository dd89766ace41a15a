"""Real-time delivery: the WebSocket hub, its connections and the bus that carries committed events.

`Hub` routes each event to the sockets of this node whose user may read it at that moment (an in-memory
membership map, no query per recipient); `Bus` carries events between nodes (in-process by default). The
Mattermost WebSocket protocol itself (authentication, client actions) is the adapter `api/websocket.py`.
"""

from kafana.realtime.bus import Bus, InProcessBus
from kafana.realtime.connection import Connection
from kafana.realtime.hub import Hub

__all__ = ["Bus", "Connection", "Hub", "InProcessBus"]
