#pragma once

#include <QFuture>
#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>

#include <memory>

#include <utility>

namespace lanedeck::ui {

/// Hands the result of background work to `context`'s thread: `f(result)` runs from `context`'s event loop
/// once `future` has finished, never inside this call (even when the work has already finished), and not at
/// all if `context` is deleted first. Call it from `context`'s thread, for work that ends with a result (as
/// QtConcurrent::run's does; f reads it, so a future cancelled before any result is not for this).
///
/// This replaces QFuture::then(context, f), which in Qt 6.4 fits neither case: it asserts that the context
/// still exists when the work ends (Q_ASSERT(context) in qfuture_impl.h; a Debug build aborts, a release
/// build drops f), and it runs f at once, inside then(), when the work finished before then() was called.
/// Here a QFutureWatcher, a child of `context`, waits instead: deleting the context deletes the watcher, and
/// a watcher posts its finished() signal as an event, so f waits for the event loop.
/// Hands memory freed by the process back to the system (malloc_trim on glibc; nothing elsewhere). Costs a
/// few milliseconds: call it on a worker after freeing something big.
void returnFreedMemory();

template <class T, class F> void whenFinished(const QFuture<T> &future, QObject *context, F f)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, f = std::move(f)] {
        watcher->deleteLater();
        f(watcher->result());
    });
    watcher->setFuture(future);
}

/// whenFinished() that moves the result out of the future into `f(T &&result)` instead of copying it: for
/// results that are costly to copy or to free, which `f` then owns alone (and may hand to releaseOnWorker).
/// The future must have no other reader of its result.
template <class T, class F> void whenFinishedTaking(const QFuture<T> &future, QObject *context, F f)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, watcher, [watcher, f = std::move(f)] {
        watcher->deleteLater();
        f(watcher->future().takeResult());
    });
    watcher->setFuture(future);
}

/// Drops `data` on a pool thread: freeing a big value must not stall the GUI thread. The caller must hold no
/// other reference it will drop later; readers elsewhere keep theirs and the value lives until the last is
/// gone. The freed memory is then handed back to the system (glibc keeps freed blocks of worker threads'
/// arenas otherwise, and the console's RSS would grow by every big rendering a worker made).
template <class T> void releaseOnWorker(std::shared_ptr<T> data)
{
    if (data && data.use_count() == 1) {
        QThreadPool::globalInstance()->start([data = std::move(data)]() mutable {
            data.reset();
            returnFreedMemory();
        });
    }
}

} // namespace lanedeck::ui
