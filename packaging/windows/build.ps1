<#
.SYNOPSIS
  Build the Trefas MSI on Windows: PyInstaller one-folder program, optional
  Authenticode signing, WiX v5 package.

.DESCRIPTION
  powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
  powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 `
      -CertificateFile C:\keys\trefas.pfx -TimestampUrl http://timestamp.example

  Needs: Python 3.11+ (as for packaging\bootstrap.ps1), the WiX Toolset v5
  command `wix` (`dotnet tool install --global wix`), and for signing
  `signtool.exe` from the Windows SDK. The certificate's password comes from
  the environment variable TREFAS_CERT_PASSWORD, never from the command line.
  A certificate in the machine's store can be named by -CertificateThumbprint.

  Results in dist\: trefas\ (the program), Trefas-VERSION-x64.msi.
#>
[CmdletBinding()]
param(
    [string]$OutDir = "",
    [string]$CertificateFile = "",
    [string]$CertificateThumbprint = "",
    [string]$TimestampUrl = "http://timestamp.digicert.com"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Repo = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Repo
if (-not $OutDir) { $OutDir = Join-Path $Repo "dist" }
$Work = Join-Path $Repo "build\pyinstaller"
$Venv = Join-Path $Repo ".venv"
$Py = Join-Path $Venv "Scripts\python.exe"

function Say([string]$Text) { Write-Host "trefas-build: $Text" }
function Check([string]$What) {
    if ($LASTEXITCODE -ne 0) { throw "$What misslyckades (status $LASTEXITCODE)" }
}

# 1. The environment: the project's .venv with PyInstaller.
if (-not (Test-Path $Py)) {
    & powershell -ExecutionPolicy Bypass -File (Join-Path $Repo "packaging\bootstrap.ps1") setup
    Check "bootstrap.ps1 setup"
}
& $Py -m pip install --disable-pip-version-check -q -e ".[bundle]"
Check "pip install .[bundle]"
$Version = (& $Py -c "from trefas_app import __version__; print(__version__)").Trim()

# 2. Icon and PyInstaller one-folder build (trefas.exe console, trefasw.exe windowed).
$IconDir = Join-Path $Work "icons"
New-Item -ItemType Directory -Force -Path $IconDir | Out-Null
& $Py packaging\make_icons.py $IconDir
Check "make_icons.py"
$env:TREFAS_ICON = Join-Path $IconDir "trefas.ico"
if (Test-Path (Join-Path $OutDir "trefas")) { Remove-Item -Recurse -Force (Join-Path $OutDir "trefas") }
& $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath $OutDir --workpath $Work packaging\trefas.spec
Check "PyInstaller"
$AppDir = Join-Path $OutDir "trefas"

# 3. Smoke test of the frozen program before packing it.
& (Join-Path $AppDir "trefas.exe") --self-test
Check "trefas --self-test"

# 4. Authenticode: the programs first, the MSI after it is built.
$Signing = $CertificateFile -or $CertificateThumbprint
function Sign-Files([string[]]$Files) {
    if (-not $Signing) { return }
    $signArgs = @("sign", "/fd", "SHA256", "/tr", $TimestampUrl, "/td", "SHA256")
    if ($CertificateFile) {
        $signArgs += @("/f", $CertificateFile)
        if ($env:TREFAS_CERT_PASSWORD) { $signArgs += @("/p", $env:TREFAS_CERT_PASSWORD) }
    } else {
        $signArgs += @("/sha1", $CertificateThumbprint, "/sm")
    }
    & signtool.exe @signArgs @Files
    Check "signtool sign"
    & signtool.exe verify /pa @Files
    Check "signtool verify"
}
Sign-Files @((Join-Path $AppDir "trefas.exe"), (Join-Path $AppDir "trefasw.exe"))

# 5. The MSI (WiX v5).
$Msi = Join-Path $OutDir "Trefas-$Version-x64.msi"
& wix build packaging\windows\trefas.wxs -arch x64 -o $Msi `
    -d "Version=$Version" -d "AppDir=$AppDir" -d "IconFile=$($env:TREFAS_ICON)"
Check "wix build"
Sign-Files @($Msi)
if (-not $Signing) { Say "osignerad: ange -CertificateFile eller -CertificateThumbprint för Authenticode" }
Say "klart: $Msi"
