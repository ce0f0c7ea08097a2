@robustness @role:eim
Feature: Many EIDs at once (SGP.32 3.3.1, 2.11.1.1)

  @id:ROB-010 @spec:3.3.1 @must @slow @catches:counter-reused @catches:counter-skip @catches:package-for-other-eid @catches:new-package-on-repoll
  Scenario: 1,000 EIDs at once: one outstanding package each, with the right counter
    Given 1000 more devices registered at the SUT without an IPA connection each, each ordered to enable profile "B"
    When all of them poll the SUT twice at once over 8 connections
    Then each of them got one package for its own EID, the same on both polls, with counterValue 1
    And each of them executes its package and the SUT reports every order done
