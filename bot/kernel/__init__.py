"""The kernel: clock, settings, i18n, errors, teams file, inbox, outbox, scheduler, job kit, notices. Imports no workflow."""
