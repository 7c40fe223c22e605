# bash completion for lanectl
_lanectl()
{
    local cur prev words cword
    _init_completion || return

    local commands
    commands=$(lanectl --help 2>/dev/null | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{exit}')

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    case $prev in
    --flavor)
        COMPREPLY=($(compgen -W "asm istio asm-crd" -- "$cur"))
        return
        ;;
    --api-version)
        COMPREPLY=($(compgen -W "v1 v1beta1" -- "$cur"))
        return
        ;;
    -o | --output-dir)
        _filedir -d
        return
        ;;
    --kubeconfig | --csv | --json)
        _filedir
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        local options
        options=$(lanectl "${words[1]}" --help 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u)
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    _filedir '@(yaml|yml)'
}
complete -F _lanectl lanectl
