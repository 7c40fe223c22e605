#pragma once

#include <string>
#include <utility>
#include <variant>

namespace lanedeck {

/// A failure a user can act on: what went wrong, in words, naming the file or field involved, and of which
/// kind, for callers that act differently on each (lanectl's exit codes, a console that stays quiet about a
/// cancel).
struct Error
{
    enum class Kind
    {
        Failed,    ///< the input is invalid or the operation was refused or failed
        Io,        ///< a local file could not be read or written
        Network,   ///< a server could not be reached, or its answer broke off
        Cancelled, ///< the user or the caller stopped the operation
    };
    std::string message;
    Kind kind = Kind::Failed;
};

/// Value or Error: the core's APIs return this instead of throwing across the library boundary.
template <class T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_state(std::move(value)) {}
    Result(Error error) : m_state(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<Error>(m_state); }

private:
    std::variant<T, Error> m_state;
};

/// The Result of an operation that yields nothing but success.
template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_failed(true) {}

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_failed = false;
};

} // namespace lanedeck
