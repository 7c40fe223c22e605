#pragma once

#include <QList>
#include <QObject>
#include <QString>

namespace lanedeck::ui {

class MainWindow;

/// `lanedeck --demo`: the live canary demonstration in one step. Opens the seed scenario, pushes it to the
/// local sandbox (which starts it), and samples the sandbox's gateway on the Traffic page until stopped, so
/// the charts converge to the seed's 60/20/20 with its three chains. From there, changing a weight in the
/// designer and pushing moves the split live.
class TrafficDemo final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int rate = 400; ///< requests per second: lively charts without saturating a small machine
        int concurrency = 8;
        /// Non-empty: a scripted canary step, these lane weights set and pushed canaryAfterMs after sampling
        /// starts (unattended demonstrations and screenshots; an operator does this in the designer).
        QList<int> canaryWeights;
        int canaryAfterMs = 10000;
    };

    TrafficDemo(MainWindow *window, Options options, QObject *parent = nullptr);
    TrafficDemo(MainWindow *window, QObject *parent = nullptr) : TrafficDemo(window, Options{}, parent) {}

    /// Opens `document` (empty: the seed scenario, MainWindow::openExample) and starts the push; sampling
    /// starts once the sandbox runs. False, with `error` in words, if the document cannot be opened.
    bool start(const QString &document, QString *error);

    /// Parses "20/40/40@10" (weights, then seconds after the start) into `options`; false if malformed.
    static bool parseCanary(const QString &text, Options *options);

Q_SIGNALS:
    /// Sampling started (`error` empty), or the push failed and says why.
    void started(const QString &error);
    /// The scripted canary step was pushed (`error` empty) or failed.
    void canaryPushed(const QString &error);

private:
    void push(const QString &step);
    void canaryStep();

    MainWindow *m_window;
    Options m_options;
};

} // namespace lanedeck::ui
