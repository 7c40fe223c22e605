#pragma once

// What an assistive tool would hear from the widgets under test. Accessibility is turned on the way a
// platform's bridge turns it on when a tool attaches (the offscreen platform has no bridge, so it never is),
// and Qt hands every event to the handler here instead of a bridge, as in Qt's own accessibility tests.
// Needs Qt6::GuiPrivate (Debian: qt6-base-private-dev).

#include <QAccessible>
#include <QString>
#include <QtGui/private/qguiapplication_p.h>
#include <qpa/qplatformaccessibility.h>
#include <qpa/qplatformintegration.h>

#include <vector>

namespace lanedeck::testing {

class AccessibleEvents
{
public:
    struct Heard
    {
        QAccessible::Event type;
        QObject *object;
        int child;
        int position = -1; ///< TextCaretMoved: the cursor; TextSelectionChanged: the selection's start
        int end = -1;      ///< TextSelectionChanged: the selection's end
        QString inserted;  ///< TextUpdated: the text put in
    };

    AccessibleEvents()
    {
        s_heard.clear();
        m_previous = QAccessible::installUpdateHandler(&AccessibleEvents::hear);
        QGuiApplicationPrivate::platformIntegration()->accessibility()->setActive(true);
    }
    ~AccessibleEvents()
    {
        QGuiApplicationPrivate::platformIntegration()->accessibility()->setActive(false);
        QAccessible::installUpdateHandler(m_previous);
    }
    AccessibleEvents(const AccessibleEvents &) = delete;
    AccessibleEvents &operator=(const AccessibleEvents &) = delete;

    /// The events of `type` sent for `object` since the last clear, in order.
    std::vector<Heard> heard(QAccessible::Event type, const QObject *object) const
    {
        std::vector<Heard> matching;
        for (const Heard &heard : s_heard) {
            if (heard.type == type && heard.object == object) {
                matching.push_back(heard);
            }
        }
        return matching;
    }
    /// Their children (the item each is about).
    std::vector<int> children(QAccessible::Event type, const QObject *object) const
    {
        std::vector<int> children;
        for (const Heard &heard : heard(type, object)) {
            children.push_back(heard.child);
        }
        return children;
    }
    void clear() { s_heard.clear(); }

private:
    static void hear(QAccessibleEvent *event)
    {
        Heard heard{event->type(), event->object(), event->child(), -1, -1, {}};
        if (event->type() == QAccessible::TextCaretMoved) {
            heard.position = static_cast<QAccessibleTextCursorEvent *>(event)->cursorPosition();
        } else if (event->type() == QAccessible::TextSelectionChanged) {
            const auto *selection = static_cast<QAccessibleTextSelectionEvent *>(event);
            heard.position = selection->selectionStart();
            heard.end = selection->selectionEnd();
        } else if (event->type() == QAccessible::TextUpdated) {
            heard.inserted = static_cast<QAccessibleTextUpdateEvent *>(event)->textInserted();
        }
        s_heard.push_back(heard);
    }

    static inline std::vector<Heard> s_heard;
    QAccessible::UpdateHandler m_previous = nullptr;
};

} // namespace lanedeck::testing
