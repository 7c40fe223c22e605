#pragma once

namespace lanedeck::ui {

/// Makes the topology canvas's services and calls reachable one by one by screen readers and other
/// assistive tools: the canvas (a QGraphicsView, whose items Qt does not expose) is announced as a list whose
/// items are the services, then the calls, in the drawing's order; each is named ("mockb", "mocka → mockb"),
/// described by its tooltip (the versions the lanes use, the fallbacks, the traffic) and placed on screen.
/// Installs a QAccessible factory once; TopologyView calls it.
void installTopologyAccessibility();

} // namespace lanedeck::ui
