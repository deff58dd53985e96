@echo off
rem SPDX-License-Identifier: MIT
rem Facter executable external fact `porttune` on Windows: the host's port
rem settings, capacity and MaxUserPort risk as JSON from porttune.exe facts
rem (read-only, no administrator rights needed); prints nothing when the
rem helper is not installed. Facter runs .bat/.cmd/.exe/.ps1 in facts.d on
rem Windows and parses the output as YAML/JSON, else as key=value lines.
setlocal
set "PT=%ProgramFiles%\porttune\porttune.exe"
if not exist "%PT%" set "PT="
if not defined PT for %%I in (porttune.exe) do set "PT=%%~$PATH:I"
if not defined PT exit /b 0
"%PT%" facts
