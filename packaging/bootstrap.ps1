<#
.SYNOPSIS
    Set up Trefas from a source checkout on Windows and start it, or run the tests.

.DESCRIPTION
    powershell -ExecutionPolicy Bypass -File packaging\bootstrap.ps1 start [trefas arguments]
    powershell -ExecutionPolicy Bypass -File packaging\bootstrap.ps1 test  [pytest arguments]
    powershell -ExecutionPolicy Bypass -File packaging\bootstrap.ps1 setup

    Creates .venv with Python 3.11 or newer (the "py" launcher or "python" on PATH;
    set $env:PYTHON to choose one), installs the project into it, and either
    starts the program (creating the demo store the first time) or runs the test
    suite with QT_QPA_PLATFORM=offscreen. Idempotent: the Python packages are
    reinstalled only when pyproject.toml changed. PDF-to-text checks in the tests
    use poppler's pdftotext when it is on PATH and are skipped otherwise.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('start', 'test', 'setup')]
    [string]$Mode = 'start',
    [Parameter(Position = 1, ValueFromRemainingArguments = $true)]
    [string[]]$Rest = @()
)

$ErrorActionPreference = 'Stop'
$Repo = Resolve-Path (Join-Path $PSScriptRoot '..')
Set-Location $Repo
$Venv = if ($env:TREFAS_VENV) { $env:TREFAS_VENV } else { Join-Path $Repo '.venv' }
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$Trefas = Join-Path $Venv 'Scripts\trefas.exe'

function Say([string]$Text) { [Console]::Error.WriteLine("trefas-bootstrap: $Text") }

function Test-Python([string[]]$Command) {
    try {
        $exe = $Command[0]
        $pre = @($Command | Select-Object -Skip 1)
        & $exe @pre -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>$null
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    }
}

function Find-Python {
    $candidates = @()
    if ($env:PYTHON) { $candidates += , @($env:PYTHON) }
    foreach ($v in '3.13', '3.12', '3.11') { $candidates += , @('py', "-$v") }
    $candidates += , @('python')
    $candidates += , @('python3')
    foreach ($c in $candidates) {
        if (Test-Python $c) { return , $c }
    }
    throw 'Python 3.11 eller nyare behövs. Installera från https://www.python.org/downloads/ (kryssa i "Add python.exe to PATH") och försök igen.'
}

function Initialize-Venv {
    if ((Test-Path $VenvPython) -and (Test-Python @($VenvPython))) {
        & $VenvPython -m pip --version *> $null
        if ($LASTEXITCODE -eq 0) { return }
    }
    $py = Find-Python
    $exe = $py[0]
    $pre = @($py | Select-Object -Skip 1)
    Say "skapar den virtuella miljön $Venv"
    if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
    & $exe @pre -m venv $Venv
    if ($LASTEXITCODE -ne 0) { throw "kunde inte skapa $Venv" }
}

function Install-Project([string]$Extras) {
    $spec = if ($Extras) { ".[$Extras]" } else { '.' }
    $stamp = Join-Path $Venv (".trefas-installed" + $(if ($Extras) { "-$Extras" } else { '' }))
    $version = (& $VenvPython --version 2>&1 | Out-String).Trim()
    $hash = (Get-FileHash -Algorithm SHA256 (Join-Path $Repo 'pyproject.toml')).Hash + $version
    if ((Test-Path $stamp) -and ((Get-Content $stamp -Raw).Trim() -eq $hash)) {
        & $VenvPython -c 'import trefas_app' 2>$null
        if ($LASTEXITCODE -eq 0) { return }
    }
    Say "installerar Trefas och dess Python-paket i $Venv ..."
    & $VenvPython -m pip install --disable-pip-version-check -q -e $spec
    if ($LASTEXITCODE -ne 0) { throw 'pip install misslyckades' }
    Set-Content -Path $stamp -Value $hash -Encoding ascii
}

try {
    Initialize-Venv
    switch ($Mode) {
        'test' {
            Install-Project 'test'
            Say 'kör testerna ...'
            $env:QT_QPA_PLATFORM = 'offscreen'
            & $VenvPython -m pytest @Rest
            exit $LASTEXITCODE
        }
        'setup' {
            Install-Project 'test'
            Say "klart: $Trefas --help"
            exit 0
        }
        'start' {
            Install-Project ''
            if ($Rest.Count -eq 0) {
                & $VenvPython -c 'import sys; from trefas_app.paths import default_store_dir; from trefas_app.store.store import StorePaths; sys.exit(0 if StorePaths(default_store_dir()).exists() else 1)'
                if ($LASTEXITCODE -ne 0) {
                    & $Trefas demo
                    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
                }
            }
            & $Trefas @Rest
            exit $LASTEXITCODE
        }
    }
} catch {
    Say $_.Exception.Message
    exit 1
}
