"""atomic"""
